-- The current rows of the winners' keys go: their new versions take their place.
delete from core.{kind} using winners where {winner_match}
