"""The registry moved in and out as spreadsheets: the admin's import and export pages, and the
same import done by a worker for large files."""
