"""Reads of the core that more than one page needs, with the joins that keep query counts flat."""
