{{ stage_source_cells(source('raw', 'raw_io_tables'), extra_columns=['io_code', 'io_edition', 'unit_basis']) }}
