"""HR reports: 20-JP compliance, course completion and the SIASN training records, on the page,
through the API and as CSV, XLSX and PDF exports (PRODUCT.md §3 journey 3, §5)."""
