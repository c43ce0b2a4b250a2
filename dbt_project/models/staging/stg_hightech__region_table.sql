{{ stage_source_cells(
    source('raw', 'raw_hightech'),
    extra_columns=['region_label_en', 'data_year', 'table_title', 'unit_basis', 'file_kind', 'was_encrypted']
) }}
