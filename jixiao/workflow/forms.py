from __future__ import annotations

from django import forms


class TransitionForm(forms.Form):
    """What every workflow button posts: the transition, the version seen, a grade and a comment."""

    transition = forms.CharField(widget=forms.HiddenInput)
    lock_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    grade = forms.CharField(required=False, max_length=4)
    comment = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))
