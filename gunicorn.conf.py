"""gunicorn's settings, read from the working directory by every `gunicorn` command (Dockerfile, compose).

The access log goes through clinic.core.logs.GunicornLogger: self-service links, returning-patient links and reset
tokens in paths, referers and redirects are written as [redacted], and so are private query values (searches).
"""

logger_class = "clinic.core.logs.GunicornLogger"
accesslog = "-"
