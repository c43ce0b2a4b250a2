{{ stage_source_cells(source('raw', 'raw_employment'), ['label_cell']) }}
