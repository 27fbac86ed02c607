"""The web app on port 8000: the portal demo page with the chat."""

from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import FileResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


async def portal_page(_request):
    """The demo portal page that hosts the chat."""
    return FileResponse(STATIC / "index.html")


app = Starlette(
    routes=[
        Route("/", portal_page),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]
)
