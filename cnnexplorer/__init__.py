"""CNN Explorer: see, cost, train and use the convolutional networks of the course."""

__version__ = "0.1.0"
