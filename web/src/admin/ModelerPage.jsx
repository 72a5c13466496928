import React from 'react';

// To be built (issue 8).
export default function ModelerPage() {
  return <p className="muted">ModelerPage</p>;
}
