{{ stage_source_cells(catalogue_sources('io_table'), extra_columns=['io_code', 'io_edition', 'unit_basis']) }}
