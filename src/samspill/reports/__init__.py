"""Session and cohort reports: plain inputs (data), a document (session_report, cohort_report),
plots (matplotlib), and HTML or PDF output (render, pdf), in English and bokmål (i18n).
"""
