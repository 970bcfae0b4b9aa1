"""`kefu report`: what the records say about promises kept, questions asked and bot gaps.

read.py turns the database into rows; sessions.py, figures.py and gaps.py are pure
computations over those rows; charts.py and render.py present them; command.py is the CLI.
"""
