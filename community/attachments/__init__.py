"""Files members share in posts and chat messages: images (checked and re-encoded by Pillow) and PDF documents
(checked by pypdf). One table, one way to store, one way to serve; the forum and chat each say, by registering
an owner, who may read the files of their posts or messages. Below forum | chat, so both use it."""

from flask import Blueprint

bp = Blueprint("attachments", __name__)
