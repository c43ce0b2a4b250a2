{{ stage_source_cells(
    catalogue_sources('yearbook_region_table'),
    extra_columns=['region_label_en', 'data_year', 'table_title', 'unit_basis', 'file_kind', 'was_encrypted']
) }}
