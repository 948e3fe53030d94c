"""The web player every web-based format ships: pages rendered from the model, a small runtime,
and the tracker interface its adapters implement (docs/tracker.md).

    from coursekit.player import Site
    files = Site(course).files()        # pages, player/player.js, player/player.css, course.json
    launch = Site(course).shell(adapter="scorm12", scripts=["player/scorm-runtime.js", "player/scorm12.js"])
"""

from .site import Site

__all__ = ["Site"]
