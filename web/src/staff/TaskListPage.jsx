import React from 'react';

// To be built (issue 8).
export default function TaskListPage() {
  return <p className="muted">TaskListPage</p>;
}
