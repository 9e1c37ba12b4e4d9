"""What goes out: scores (nbgrader's rule), redacted feedback pages, the gradebook, grades.csv and report.json."""
