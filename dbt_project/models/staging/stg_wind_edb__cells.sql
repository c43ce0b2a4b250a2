{{ stage_source_cells(catalogue_sources('wind_edb'), ['label_cell']) }}
