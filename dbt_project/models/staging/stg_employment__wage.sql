{{ stage_source_cells(source('raw', 'raw_wages'), ['label_cell']) }}
