"""One HTML style for every report Relay writes (the demo, drift, DR): Jinja2 templates sharing one base
page and one stylesheet, and the one Gantt chart they draw timelines with.

Every page is self-contained (inline CSS, inline SVG, no script, no internet asset): Jenkins archives
it and a reader opens it offline. The charts use SVG presentation attributes rather than CSS, so they
still draw where a Content-Security-Policy strips the page's styles (Jenkins' default for artifacts).
"""
