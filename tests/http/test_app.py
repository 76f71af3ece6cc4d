"""The app factory and its typed lifespan state."""

import gc

import httpx
import pytest
from starlette.applications import Starlette

from invoicegraph.http.app import create_app
from invoicegraph.http.state import AppState, app_state
from invoicegraph.settings import Settings
from invoicegraph.store.engine import Database


async def test_building_and_running_the_app_leaves_the_collector_alone(
    settings: Settings,
) -> None:
    # given
    threshold, frozen = gc.get_threshold(), gc.get_freeze_count()
    # when
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            assert (await http.get("/healthz")).status_code == 200
    # then
    assert gc.get_threshold() == threshold
    assert gc.get_freeze_count() == frozen


async def test_the_running_app_has_a_typed_state_that_cannot_be_changed(
    app: Starlette, settings: Settings
) -> None:
    state = app_state(app)
    assert isinstance(state, AppState)
    assert isinstance(state.db, Database)
    assert state.settings == settings
    assert state.signing_key == settings.signing_key
    with pytest.raises(AttributeError, match="fixed"):
        state.signing_key = "another"


def test_an_app_whose_lifespan_has_not_started_has_no_state(settings: Settings) -> None:
    with pytest.raises(RuntimeError, match="lifespan has not started"):
        app_state(create_app(settings))
