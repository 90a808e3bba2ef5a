"""``python -m core.demo --config FILE load|bulk ...`` without the main CLI."""

from core.demo.cli import standalone

standalone()
