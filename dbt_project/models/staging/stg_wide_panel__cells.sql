{{ stage_source_cells(catalogue_sources('wide_panel_csv'), ['label_cell']) }}
