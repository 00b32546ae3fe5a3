-- One row, or none: assistance point $point_code (public reference data, not scoped).
select
    point_code,
    name,
    address,
    municipality,
    province,
    region
from core.assistance_points
where point_code = $point_code
