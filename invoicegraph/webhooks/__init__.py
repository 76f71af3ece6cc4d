"""Webhooks: committed events delivered to the workspaces' own HTTPS endpoints, signed.

urls.py says which URLs an endpoint may have, signing.py signs a body, secrets.py keeps the
signing secrets encrypted at rest, schedule.py is the retry schedule, fanout.py turns outbox
events into deliveries, sender.py makes one attempt, and worker.py runs it all in the server
(one deliverer per deployment).
"""
