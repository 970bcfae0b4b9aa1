"""kefu's tooling: the `kefu` command, eval, report, dashboard and FAQ check.

The core (bot/, intents/) never imports this package; it drives the core and the adapters.
"""
