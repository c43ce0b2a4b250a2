-- The cells of every source on the province x 2-digit industry grid (Wind revenue, the employment
-- and wage panels) in one shape, so labelling, quality checks, harmonisation and facts are written
-- once for them. A new source on that grid adds a staging model and its ref here. GDP (province
-- totals), high-tech tables (their own regions and indicators), IO tables (42 sectors) and the
-- concordance are on other grids and have their own chains (README, "How it fits together");
-- lineage_source_cell lists the cells of all of them. Wages are averages, not additive: labelled
-- and checked like the rest, then kept out of the additive facts (int_cells_harmonised) and given
-- their own (fct_average_wage).
{{ union_by_name([ref('stg_wind__mbr'), ref('stg_employment__panel'), ref('stg_employment__wage')]) }}
