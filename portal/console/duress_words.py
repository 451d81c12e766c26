"""The words her worker reads for a task made when her plan is opened with her second passphrase: the deployment's
(admin settings, per staff language, falling back to English) or the built-in ones. Staff pages only."""

from __future__ import annotations

from flask import g
from flask_babel import get_locale

from portal.console import bp
from portal.console.worker import deployment_view


def duress_words() -> str | None:
    """The deployment's words in this page's language (else English's); None: use the built-in words."""
    if "duress_words" not in g:
        g.duress_words = deployment_view().duress_guidance_for(str(get_locale() or "en").split("_")[0])
    return g.duress_words


@bp.context_processor
def _duress_words() -> dict[str, object]:
    return {"duress_words": duress_words}
