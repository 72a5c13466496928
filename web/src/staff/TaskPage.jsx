import React from 'react';

// To be built (issue 8).
export default function TaskPage() {
  return <p className="muted">TaskPage</p>;
}
