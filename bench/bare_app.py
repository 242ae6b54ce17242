"""The ceiling for ``bench/forum.py``: bare Flask + SQLAlchemy + Jinja showing a topic's first 20 posts.

One query (the posts with their authors' names), one small template with the same markup per post as Kring's
``forum/_post.html`` (author, coach badge, time, content warning, the stored HTML), and nothing else: no
sign-in, no session, no CSRF token, no security headers, no reactions, no translations. It reads the same
database as Kring and is served by the same gunicorn setup, so Kring's throughput divided by this one's is the
share of the machine's ceiling that Kring reaches.

    BARE_DATABASE_URL=postgresql+psycopg://... gunicorn --worker-class gevent --pythonpath bench bare_app:app
"""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask

app = Flask(__name__)
engine = sa.create_engine(os.environ["BARE_DATABASE_URL"])

POSTS = sa.text(
    "SELECT p.id, p.body_html, p.content_warning, p.is_coach_post, p.created_at, u.display_name"
    " FROM posts p LEFT JOIN users u ON u.id = p.author_id"
    " WHERE p.topic_id = :topic_id AND p.state = 'published' ORDER BY p.id LIMIT 20"
)

PAGE = app.jinja_env.from_string(
    """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Topic {{ topic_id }}</title></head>
<body>
<main>
<h1>Topic {{ topic_id }}</h1>
<ol class="posts">
{% for post in posts %}
<li class="post{% if post.is_coach_post %} post--coach{% endif %}" id="post-{{ post.id }}" tabindex="-1">
  <article aria-labelledby="post-{{ post.id }}-author">
    <header class="post__header">
      <span id="post-{{ post.id }}-author" class="post__author">{{ post.display_name or "former member" }}</span>
      {% if post.is_coach_post %}<span class="badge badge--coach">Coach</span>{% endif %}
      <time datetime="{{ post.created_at.isoformat() }}Z">{{ post.created_at.strftime("%d %b %Y, %H:%M") }}</time>
    </header>
    {% if post.content_warning %}
    <details class="content-warning">
      <summary>Content warning: {{ post.content_warning }}. Show the post</summary>
      <div class="post__body" data-quote-source>{{ post.body_html|safe }}</div>
    </details>
    {% else %}
    <div class="post__body" data-quote-source>{{ post.body_html|safe }}</div>
    {% endif %}
  </article>
</li>
{% endfor %}
</ol>
</main>
</body>
</html>
"""
)


@app.route("/t/<int:topic_id>")
def topic(topic_id: int) -> str:
    with engine.connect() as connection:
        posts = connection.execute(POSTS, {"topic_id": topic_id}).all()
    return PAGE.render(topic_id=topic_id, posts=posts)
