"""The web application: FastAPI serving server-rendered pages and a JSON API under /api."""
