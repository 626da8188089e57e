"""Server-rendered web pages (Jinja2 + htmx, no front-end build step)."""
