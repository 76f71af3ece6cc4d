"""The HTTP surface: the app factory and the chain every request passes (see `app.py`).

One module per concept: `app.py` (routes), `state.py` (typed lifespan and request state),
`view.py` (the GraphQL view), `auth.py` (bearer tokens on requests and WebSockets), `body.py`
(the size limit), `json_body.py` (strict JSON), `media_types.py` (the Accept parser and
graphql-response+json), `errors.py` (the JSON error body), `playground.py` (GraphiQL) and
`runtime.py` (tuning of the serving process).
"""
