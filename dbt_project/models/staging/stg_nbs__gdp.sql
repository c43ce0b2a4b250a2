{{ stage_source_cells(source('raw', 'raw_nbs_gdp'), extra_columns=['data_vintage', 'vintage_note']) }}
