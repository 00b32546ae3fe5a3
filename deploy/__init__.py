"""Deployment assets (nginx) and the local launcher of replicas; not shipped in the package."""
