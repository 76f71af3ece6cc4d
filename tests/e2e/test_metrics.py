"""/metrics of a real server: on PostgreSQL with several workers, one truthful total."""

import httpx

from tests.e2e.server import Deployment, graphql_ok
from tests.http.test_metrics import operations, samples

QUERY = "query CountedAcrossWorkers { invoices(first: 1) { totalCount } }"
REQUESTS = 40


def test_every_worker_s_operations_add_up_in_any_scrape(
    deployed: Deployment, token: str, http: httpx.Client
) -> None:
    # given a count before (any worker may answer a scrape)
    key = operations("CountedAcrossWorkers")
    before = samples(http.get("/metrics").text).get(key, 0)
    # when requests spread over the workers (a connection each, so several workers answer)
    for _ in range(REQUESTS):
        with httpx.Client(base_url=deployed.base_url, trust_env=False) as fresh:
            graphql_ok(fresh, QUERY, token)
    # then every scrape, whichever worker answers it, counts all of them
    for _ in range(6):
        with httpx.Client(base_url=deployed.base_url, trust_env=False) as fresh:
            response = fresh.get("/metrics")
        assert response.status_code == 200, response.text
        assert samples(response.text)[key] - before == REQUESTS
