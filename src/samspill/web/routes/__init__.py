"""One module per resource; ROUTERS is what the app includes."""

from samspill.web.routes import auth, codings, health, media, pages, studies

ROUTERS = [health.router, auth.router, studies.router, codings.router, media.router, pages.router]
