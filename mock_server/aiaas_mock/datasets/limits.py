"""What one dataset may hold, whatever its format (announced in ``GET /v1/limits``)."""

MAX_COLUMNS = 1000
MAX_LINE_BYTES = 16 * 1024 * 1024
"""The longest line a text upload may hold (``max_dataset_line_bytes``)."""
MAX_CELL_CHARS = 131_072
"""The longest text a cell may hold, in CSV and JSON lines alike
(``max_dataset_cell_chars``; the csv module's own default, made explicit)."""
