"""gunicorn settings: the port Relay's hooks give (RELAY_APP_BIND, else the stack's PORT), keep-alive above
the ALB's 60 s idle timeout, and a graceful stop inside the target group's deregistration delay."""

import os

bind = os.environ.get("RELAY_APP_BIND") or f"0.0.0.0:{os.environ.get('PORT') or 8081}"
workers = 2
keepalive = 75
graceful_timeout = 15
control_socket_disable = True  # no `gunicornc` socket and no event-loop thread in the master
