"""The people of the demo: installers, planners and an administrator.

Installers are split between the two companies, as in a real rollout where a
contractor's crews work one grid area each. Passwords are not set here: the loader
decides them, so this module stays free of secrets.
"""

INSTALLERS: tuple[tuple[str, str], ...] = (
    ("Ola Haugen", "ELV"), ("Knut Bråthen", "ELV"), ("Øyvind Løken", "ELV"),
    ("Håkon Ruud", "ELV"), ("Marius Bakken", "ELV"), ("Ståle Østby", "ELV"),
    ("Kristian Aune", "FJN"), ("Åge Røstad", "FJN"), ("Sindre Skjetne", "FJN"),
    ("Pål Sæther", "FJN"), ("Ingrid Wold", "FJN"), ("Bjørnar Myklebust", "FJN"),
)
PLANNERS: tuple[tuple[str, str], ...] = (("Kari Sørlie", "ELV"), ("Marte Grønli", "FJN"))
EMAIL_DOMAIN = "demo.amsflow.example"


def demo_users() -> list[dict]:
    """Every demo user as ``{username, display_name, email, role, company}``.

    ``role`` is ``installer``, ``planner`` or ``admin``; ``company`` is the project key
    the user works in, or ``None`` for the administrator, who works in all.
    """
    users = [
        {"username": f"montor{i}", "display_name": name, "role": "installer",
         "company": comp}
        for i, (name, comp) in enumerate(INSTALLERS, start=1)
    ]
    users += [
        {"username": f"planlegger{i}", "display_name": name, "role": "planner", "company": comp}
        for i, (name, comp) in enumerate(PLANNERS, start=1)
    ]
    users.append({"username": "admin", "display_name": "Astrid Administrator",
                  "role": "admin", "company": None})
    for user in users:
        user["email"] = f"{user['username']}@{EMAIL_DOMAIN}"
    return users
