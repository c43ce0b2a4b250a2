{{ stage_source_cells(source('raw', 'raw_wind_mbr'), ['label_cell']) }}
