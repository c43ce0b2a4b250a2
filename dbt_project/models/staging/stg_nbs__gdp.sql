{{ stage_source_cells(catalogue_sources('nbs_portal_csv'), extra_columns=['data_vintage', 'vintage_note']) }}
