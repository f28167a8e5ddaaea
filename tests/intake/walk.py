"""Walks the questionnaire through the Django test client, one POST per step, as a browser without JavaScript.

Each POST is answered with a redirect (Post/Redirect/Get); the helpers follow a redirect to a step of the
questionnaire, as a browser does, and return the page that GET shows. Other redirects (the outcome) are returned."""

from intake import rules

PREFIX = "questionnaire_view"


def about(location, **changes) -> dict:
    data = {
        "location": str(location.pk),
        "first_name": "Asha",
        "last_name": "Rao",
        "email": "asha@example.com",
        "phone": "098765 43210",
        "date_of_birth": "1985-03-27",
    }
    data.update(changes)
    return data


def where(**changes) -> dict:
    data = {"areas": ["calf_shin"], "side": "left", "what_brings_you": "Tight calf after running", "service": ""}
    data.update(changes)
    return data


def health(**changes) -> dict:
    data = {q.name: q.choices[0][0] for q in rules.QUESTIONS}
    data["needle_fear"] = "fine"
    data.update(changes)
    return data


def consent(**changes) -> dict:
    data = {"full_name": "Asha Rao", "agree": "on"}
    data.update(changes)
    return data


def post_step(client, step: str, data: dict, **extra):
    payload = {f"{PREFIX}-current_step": step}
    for name, value in data.items():
        payload[f"{step}-{name}"] = value
    payload.update(extra)
    response = client.post(f"/intake/step/{step}/", payload)
    if response.status_code == 302 and response["Location"].startswith("/intake/step/"):
        return client.get(response["Location"])
    return response


def walk(client, location, *, about_data=None, where_data=None, health_data=None, consent_data=None, start="/intake/"):
    """Answer all four steps; returns the last response."""
    if start is not None:  # None: carry on with the questionnaire this client has already started
        client.get(start)
    for step, data in (
        ("about", about_data or about(location)),
        ("where", where_data or where()),
        ("health", health_data or health()),
    ):
        response = post_step(client, step, data)
        assert response.status_code == 200, response.status_code
        assert not response.context["form"].errors, response.context["form"].errors
    return post_step(client, "consent", consent_data or consent())
