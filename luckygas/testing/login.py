from django.urls import reverse


def logged_in(client, username, password):
    """Log in through the login page, as a person does (and as django-axes
    counts): whether the page let them in."""
    response = client.post(
        reverse("login"), {"username": username, "password": password}
    )
    return response.status_code == 302 and "_auth_user_id" in client.session
