export {
  type Dashboard,
  type DashboardOptions,
  type ModelClassLevels,
  startDashboard,
} from './start-dashboard.js';
