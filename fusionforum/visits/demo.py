def load(*args, **kwargs):
    pass
