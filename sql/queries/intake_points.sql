-- Assistance points by province code (exact, any case) or town (any part of its name).
select point_code, name, address, municipality, province, region
from core.assistance_points
where $place is null
   or upper(province) = upper($place)
   or contains(lower(municipality), lower($place))
order by province, municipality, name, point_code
limit $limit
