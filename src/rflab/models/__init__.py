"""Models as init/apply pairs over plain pytrees."""
