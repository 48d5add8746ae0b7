"""The training app's pages. Every object comes through `visible_to` (404 outside the user's
scope) and every write through a service."""
