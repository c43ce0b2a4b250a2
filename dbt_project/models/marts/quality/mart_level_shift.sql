-- Level-shift statistic and detections per province × indicator × year (int_series_level_shift).
select * from {{ ref('int_series_level_shift') }}
