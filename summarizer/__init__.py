"""event-recap: turn the live posts of an event into a short, faithful recap."""

from .modeling import GenerationSettings
from .pipeline import PrepConfig, prepare
from .post import Event, Post
from .recap import Recap, Summarizer, load_summarizer

__all__ = ["Event", "GenerationSettings", "Post", "PrepConfig", "Recap", "Summarizer", "load_summarizer", "prepare"]
__version__ = "0.1.0"
