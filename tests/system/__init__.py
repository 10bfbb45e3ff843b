"""System tests: the app under gunicorn with several workers, spoken to over HTTP."""
